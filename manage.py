#!/usr/bin/env python
"""Django's command-line utility; the same as the `congso` console script."""

from congso.__main__ import main

if __name__ == "__main__":
    main()
