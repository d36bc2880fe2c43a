"""The offline sandbox: ``python -m bot sandbox`` (and ``make run`` without a token).

The real bot runs against the local Bot API server (:mod:`bot.botapi`) in one process with
a web page at http://127.0.0.1:8080 that shows several people's chats side by side.
:mod:`.runtime` starts the world, :mod:`.cast` are the people and their roles, :mod:`.clock`
the clock the page moves, :mod:`.render` turns messages into safe HTML, :mod:`.web` serves
the page (``web/``) and its API, :mod:`.main` is the command.
"""
