"""The only package that runs SQL: the database, its repositories, the log and the files."""
