"""sendqa: cited question answering over UK area SEND inspection reports."""

__version__ = "0.1.0"
