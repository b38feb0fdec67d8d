"""Task insight: the written summary and advice kept on a task, from its real figures."""
