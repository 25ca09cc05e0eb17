"""``python -m cancerinfo`` runs the command line."""

from cancerinfo.cli import main

main()
