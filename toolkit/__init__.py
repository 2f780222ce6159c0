"""toolkit: validate, score and publish information-extraction annotations.

The library under the ``toolkit`` command. Data flows one way::

    files -> raw dicts (corpus) -> schema issues (validate) -> documents (document)
          -> semantic issues (validate) -> alignment (align) -> counts -> scores -> report

Library functions never print or exit; they return values a notebook can use.
"""

__version__ = "0.1.0"
