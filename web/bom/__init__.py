"""The producer's bill of materials as the web service takes it in.

    form.py     the editor's form fields <-> a BOM dict; a problem's JSON path -> its field
    editor.py   the editor's state: values, rows, problems next to their fields, row actions
    options.py  the options of the editor's selects and the names of a result's lines
    upload.py   BOM files: JSON, CSV and XLSX

Nothing here validates a BOM: the core does, and its problems come back to the fields.
"""
