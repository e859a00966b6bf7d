# Two commands for a fresh machine with Python >= 3.11 and make:
#   make demo   set up .venv (if needed) and extract the sample document
#   make test   set up .venv (if needed) and run the whole test suite
# A second run only reinstalls when pyproject.toml changed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := corpus/dev/quang-tri-par-2023.txt
# Tests render Vietnamese PDFs with DejaVu Sans (Debian's fonts-dejavu-core).
FONT   := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# Scanned pages are read by Tesseract with its Vietnamese model (Debian's tesseract-ocr
# and tesseract-ocr-vie; the model is in /usr/share/tesseract-ocr/5/tessdata on Debian 12,
# under 4.00/ with Tesseract 4).
TESSERACT := /usr/bin/tesseract
# Review pages are checked in a real browser: Debian's chromium and chromium-driver.
CHROMIUM     := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
VIE       := $(firstword $(wildcard /usr/share/tesseract-ocr/*/tessdata) /usr/share/tesseract-ocr/5/tessdata)/vie.traineddata

.PHONY: demo test setup clean

demo: $(STAMP)
	$(BIN)/python cli.py extract $(SAMPLE) --include-text
	@$(BIN)/python -c "from extractor import extract_file; r = extract_file('$(SAMPLE)'); \
	  print(f'demo: {len(r.records)} records and {len(r.metrics)} metrics from $(SAMPLE); next: $(BIN)/python cli.py review $(SAMPLE) (a page to check them by eye), README.md for bulk')"

test: $(STAMP) $(FONT) $(TESSERACT) $(VIE) $(CHROMIUM) $(CHROMEDRIVER)
	$(BIN)/ruff check extractor cli.py tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

setup: $(STAMP) $(FONT) $(TESSERACT) $(VIE) $(CHROMIUM) $(CHROMEDRIVER)

$(FONT):
	@echo "installing Debian's fonts-dejavu-core (a font with Vietnamese, to render test PDFs)"
	@apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null || { \
	  echo "could not install it: run 'apt-get install fonts-dejavu-core' as root"; exit 1; }

$(TESSERACT) $(VIE):
	@echo "installing Debian's tesseract-ocr and tesseract-ocr-vie (OCR of scanned pages in Vietnamese)"
	@apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null || { \
	  echo "could not install them: run 'apt-get install tesseract-ocr tesseract-ocr-vie' as root"; exit 1; }

$(CHROMIUM) $(CHROMEDRIVER):
	@echo "installing Debian's chromium and chromium-driver (the browser tests of the review pages)"
	@apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null || { \
	  echo "could not install them: run 'apt-get install chromium chromium-driver' as root"; exit 1; }

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 ...")'
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "python venv is missing; installing Debian's python3-venv"; \
	  rm -rf $(VENV) && apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(BIN)/python
	@# pip before 23.3 trips over the two spellings of lxml's html-clean extra (trafilatura)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,cluster]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
