# The two commands a learner needs (see README.md). Both set everything up into .venv/ first.
.PHONY: lab test setup regrade

setup:
	bash scripts/setup.sh

# Open the workbook; starts the embedded model if no Ollama answers at OLLAMA_HOST, stops it on exit.
lab: setup
	.venv/bin/labs lab

# Every test: unit tests, doctests, API-contract tests, and nbval over notebooks/ and solutions/.
test:
	bash scripts/setup.sh --test
	LABS_SERVER_LOG=$(CURDIR)/.venv/labs-server.log .venv/bin/labs with-server -- .venv/bin/python -m pytest $(PYTEST_ARGS)

# The reference solutions graded by `labs grade` (full marks, a blank notebook 0): slow, so not part of `make test`.
regrade:
	bash scripts/setup.sh --test
	.venv/bin/labs with-server -- .venv/bin/python -m pytest -m regrade tests/test_grading_solutions.py
