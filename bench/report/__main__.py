"""`python -m bench.report`: see bench.report.main."""

from bench.report import main

main()
