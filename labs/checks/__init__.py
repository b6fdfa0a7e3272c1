"""Public checks of the exercises, one module per lesson (``lesson1`` ... ``lesson4``, ``start``)."""
