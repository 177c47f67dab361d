"""The built-in commands of ``footprint``, one module per topic; cli.main maps each command
name to its module and imports it when the command runs."""
