"""The pytest fixture of the local Bot API server (:mod:`tests.botapi.fixtures`).

The server itself is part of the product, :mod:`bot.botapi`: the tests, the benchmark and the
offline sandbox run the same one.
"""
