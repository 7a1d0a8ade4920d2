# Parallel Programming in Python: build and test the lesson.
#   make book    set everything up, then build the site into _build/html
#   make test    everything `make book` does, then run the tests
#   make serve   serve the built site on http://127.0.0.1:8000
#   make clean   remove the build and the virtual environment
#   make episode EP=02-measuring-performance
#                build one episode alone (with the glossary) into
#                _build/episode-EP: a quick check while writing it
# On a fresh Debian machine these install what is missing: a virtual environment
# with the pinned packages, and (as root) Debian's graphviz, redis-server and
# chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BUILD := _build
# Warnings are errors, every broken reference is reported, and all problems are
# listed before the build fails.
JB_FLAGS := -W -n --keep-going
# A page whose execution failed is run again, 10 s later (BUILD_RETRY_PAUSE),
# until it has failed this many times: the build machine's cores are shared,
# and a moment without one can spoil a checked claim about speed.
# See book/tools/build-book.sh.
BUILD_ATTEMPTS ?= 6

.PHONY: book test serve clean lock episode extensions system-graphviz system-chromium system-redis FORCE

$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# uv installs the same pins as pip, three times faster; pip is the fallback. Both
	# compile the bytecode now: with PYTHONDONTWRITEBYTECODE set, nothing would cache it.
	{ $(BIN)/python -m pip install --quiet uv && \
	  $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt -e . ; } || \
	  $(BIN)/python -m pip install --quiet -r requirements.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $@

system-graphviz:
	@sh book/tools/need-debian-package.sh dot graphviz

system-redis:
	@sh book/tools/need-debian-package.sh redis-server redis-server

system-chromium:
	@sh book/tools/need-debian-package.sh chromium chromium
	@sh book/tools/need-debian-package.sh chromedriver chromium-driver

# The C and C++ extensions of episode 10, compiled into build/extensions (the
# same command learners run). Reused while their sources, flags and compiler are
# unchanged; with CI=true they are always compiled again. The stamp file spares
# a rebuild the half second of asking Python whether anything changed.
EXTENSIONS_STAMP := build/extensions/.up-to-date
extensions: $(EXTENSIONS_STAMP)

$(EXTENSIONS_STAMP): $(INSTALLED) $(wildcard code/extensions/*) code/parallel_patterns/tools/extensions.py $(if $(filter true,$(CI)),FORCE)
	$(BIN)/python -m parallel_patterns.tools.extensions build
	touch $@

FORCE:

book: $(INSTALLED) system-graphviz system-redis extensions
ifeq ($(CI),true)
	rm -rf $(BUILD)
endif
	PATH="$(CURDIR)/$(BIN):$$PATH" sh book/tools/build-book.sh $(BUILD_ATTEMPTS) . $(JB_FLAGS)

# The tests run in two processes (pytest-xdist), each taking whole files: most
# tests wait on servers, browsers and subprocesses rather than compute, and the
# run takes about 6 minutes instead of 14 on the 2-core build machine.
TEST_PROCESSES ?= 2
test: book system-chromium
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile

episode: $(INSTALLED) system-graphviz system-redis extensions
	@test -n "$(EP)" -a -f "episodes/$(EP).md" || { echo "usage: make episode EP=NN-name (a file in episodes/)"; exit 1; }
	mkdir -p $(BUILD)/episode-$(EP)
	printf 'format: jb-book\nroot: episodes/$(EP)\nchapters:\n  - file: book/glossary\n' > $(BUILD)/episode-$(EP)/_toc.yml
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter-book build . $(JB_FLAGS) \
	    --toc $(BUILD)/episode-$(EP)/_toc.yml --path-output $(BUILD)/episode-$(EP)

serve:
	@test -f $(BUILD)/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory $(BUILD)/html

lock: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -r requirements.in
	{ echo '# Pinned by `make lock` from requirements.in; install with `make book` or `pip install -r requirements.txt -e .`'; \
	  $(BIN)/python -m pip freeze --exclude-editable --all | grep -v -e "^pip==" -e "^uv=="; } > requirements.txt
	$(BIN)/python book/tools/pin-learner.py requirements.txt requirements-learner.txt

clean:
	rm -rf $(BUILD) $(VENV) code/*.egg-info build/extensions
