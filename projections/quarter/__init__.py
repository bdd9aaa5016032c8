"""A quarter's board and report as typed models, built from a view of the fold's state.

`board` (milestones and their status), `report` (the narrative), with the parts the report
is made of (`updates`, `overview`, `figures`), and `forms`, the same as plain data for JSON
and CSV.
"""
