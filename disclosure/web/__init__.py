"""The Flask app that renders the site model; frozen to files by Frozen-Flask.

Rule for this package: views only look things up in the site model. Nothing here reads
content files, parses Markdown or touches the output folder.
"""
