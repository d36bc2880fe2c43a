"""Domain operations, each an async function taking an `AsyncSession`."""
