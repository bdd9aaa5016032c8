"""The events' payload schemas (marshmallow), one module per module of event types.

Imported on the first encode or decode of a type (`catalogue.base.EventSpec`), not with the
catalogue: reading names, versions and event classes needs none of them.
"""
