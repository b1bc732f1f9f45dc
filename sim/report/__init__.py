"""Stage 5, the board report: its data, tables, figures and the HTML and Excel files."""
