"""Helper library behind the Module 29 workbook (Edge AI and local models).

Importing ``labs`` does nothing but define names; every module is imported by the
notebook that needs it (``from labs.client import LocalLLM`` and so on).
"""

__version__ = "0.1.0"
DEFAULT_MODEL = "smollm2:135m"
