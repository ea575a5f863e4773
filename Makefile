# sluice — make targets a new user needs. See README.md.
#
#   make demo     install missing -dev packages, build (release), run the example, print the report
#   make test     install missing -dev packages (and postgresql), build with tests, run the whole test
#                 suite with a throw-away PostgreSQL cluster (Tests/Postgres/with-cluster.sh)
#   make build    release build only
#   make install  install binary, plugins, plugin SDK, systemd files (PREFIX=/usr/local, DESTDIR=)
#   make install-sdk  only what plugin authors build against: header, sluice-plugin.pc, Swift SDK
#   make fuzz     libFuzzer on the drop reader, config, archive and format decoders (FUZZ_SECONDS=60 each)
#   make bench    benchmarks (release build), printing tables; also bench-load, bench-soak,
#                 bench-hosts (1-3 daemons on a shared PostgreSQL ledger), bench-scale (issue 17)

SWIFT     ?= swift
PREFIX    ?= /usr/local
DESTDIR   ?=
DEMO_DIR  ?= .build/demo
DEB_PACKAGES := libarchive-dev libsqlite3-dev zlib1g-dev pkg-config
# The real PostgreSQL server the shared-ledger tests start a throw-away cluster of.
TEST_PACKAGES := postgresql
# The stock stages and the two example plugins; test fixtures are never installed.
INSTALLED_PLUGINS := validate features train evaluate row-audit clip-outliers drop-duplicates
VERSION   := $(shell sed -n 's/.*current = "\(.*\)"/\1/p' Sources/SluiceEngine/SluiceVersion.swift)

.PHONY: all deps test-deps browser build demo test bench bench-report bench-intake bench-ingest bench-train bench-path bench-load bench-soak bench-hosts bench-scale install install-sdk fuzz clean

all: build

# Installs the Debian packages in $(1) that are missing ($(2) says what for).
define install-missing
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages$(2):$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

# Installs the Debian -dev packages sluice links against, only if missing.
deps:
	$(call install-missing,$(DEB_PACKAGES),)

# The browser the HTML report test opens the page in. Optional: where it cannot
# be installed the test says so (skipped with its reason) and the rest runs.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (for the HTML report test)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium ) \
	    || echo "chromium could not be installed: the HTML report test will be skipped with that reason"; }

build: deps
	$(SWIFT) build -c release

# Runs sluice once on a scratch copy of inbox-example/ and prints the report.
demo: build
	@bin="$$($(SWIFT) build -c release --show-bin-path)"; \
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR) && cp -R inbox-example/. $(DEMO_DIR)/ && \
	echo "== sluice serve --once on a scratch copy of inbox-example/ ($(DEMO_DIR))" && \
	"$$bin/sluice" serve --once --config $(DEMO_DIR)/sluice.yaml && \
	echo && echo "== sluice report" && \
	"$$bin/sluice" report --config $(DEMO_DIR)/sluice.yaml && \
	echo && echo "== the published archive ($(DEMO_DIR)/outbox/churn/current.tar.gz)" && \
	tar -tzvf $(DEMO_DIR)/outbox/churn/current.tar.gz

# The tests that need PostgreSQL run against a throw-away cluster that
# Tests/Postgres/with-cluster.sh starts (loopback, temp folder) and removes.
test: deps browser test-deps
	$(SWIFT) build --build-tests
	Tests/Postgres/with-cluster.sh $(SWIFT) test

test-deps:
	$(call install-missing,$(TEST_PACKAGES), for the tests)

# Coverage-guided fuzzing with libFuzzer (Tests/Fuzz): each target for
# FUZZ_SECONDS (default 60); prints executions, exec/s and coverage. CI runs it
# after `make test` with the default.
fuzz: deps
	SWIFT=$(SWIFT) Tests/Fuzz/run.sh

# Drops/s and latency with 1, 2 and 3 daemons sharing one inbox and a
# throw-away PostgreSQL ledger, beside one daemon on SQLite (docs/scale.md).
bench-hosts: build test-deps
	Tests/Postgres/with-cluster.sh python3 Benchmarks/shared_hosts.py --bin "$$($(SWIFT) build -c release --show-bin-path)"

# Speed as history grows: a window run vs one file, inspect vs ingest and
# polars, serve --once vs start-up (Benchmarks/scale.py; numpy, pandas, polars).
bench-scale: build
	python3 Benchmarks/scale.py --bin "$$($(SWIFT) build -c release --show-bin-path)"

# Benchmarks print tables; they are not tests. See Benchmarks/.
bench: bench-intake bench-ingest bench-train bench-path bench-report

bench-report: build
	"$$($(SWIFT) build -c release --show-bin-path)/sluice-bench-report"

bench-intake: build
	python3 Benchmarks/intake_latency.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --drops 100

# Needs pandas, pyarrow and polars for the peers: pip install pandas pyarrow polars
bench-ingest: build
	python3 Benchmarks/ingest_vs_peers.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --rows 1000000

bench-train: build
	python3 Benchmarks/train_vs_sklearn.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --rows 1000000

# issue 18's load and soak: 10,000 small drops across 4 pipelines (or SOAK_SECONDS of a steady stream).
bench-load: build
	python3 Benchmarks/load.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --drops 10000 --pipelines 4

SOAK_SECONDS ?= 3600
bench-soak: build
	python3 Benchmarks/load.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --soak $(SOAK_SECONDS) --rate 5 --pipelines 4

bench-path: build
	python3 Benchmarks/whole_path.py --bin "$$($(SWIFT) build -c release --show-bin-path)" --rows 1000000

# What a plugin author builds against: the header, sluice-plugin.pc and the
# Swift SDK package. Needs no build, so it can be staged on its own (DESTDIR).
install-sdk:
	install -d $(DESTDIR)$(PREFIX)/include/sluice $(DESTDIR)$(PREFIX)/share/pkgconfig $(DESTDIR)$(PREFIX)/share/sluice
	install -m 0644 Sources/CSluicePlugin/include/sluice_plugin.h $(DESTDIR)$(PREFIX)/include/sluice/sluice_plugin.h
	sed -e "s|@PREFIX@|$(PREFIX)|" -e "s|@VERSION@|$(VERSION)|" plugins/sluice-plugin-sdk/sluice-plugin.pc.in \
	  > $(DESTDIR)$(PREFIX)/share/pkgconfig/sluice-plugin.pc
	rm -rf $(DESTDIR)$(PREFIX)/share/sluice/sluice-plugin-sdk
	cp -RL plugins/sluice-plugin-sdk $(DESTDIR)$(PREFIX)/share/sluice/sluice-plugin-sdk
	rm -f $(DESTDIR)$(PREFIX)/share/sluice/sluice-plugin-sdk/sluice-plugin.pc.in
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/sluice/sluice-plugin-sdk

install: build install-sdk
	@bin="$$($(SWIFT) build -c release --show-bin-path)"; \
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/sluice/plugins && \
	install -m 0755 "$$bin/sluice" $(DESTDIR)$(PREFIX)/bin/sluice && \
	for p in $(INSTALLED_PLUGINS); do \
	  install -m 0755 "$$bin/libsluice-$$p.so" $(DESTDIR)$(PREFIX)/lib/sluice/plugins/$$p.so; \
	done && \
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/sluice/README.md && \
	install -D -m 0644 docs/plugins.md $(DESTDIR)$(PREFIX)/share/doc/sluice/plugins.md && \
	install -d $(DESTDIR)/etc/sluice && \
	if [ ! -e $(DESTDIR)/etc/sluice/sluice.yaml ]; then install -m 0644 systemd/sluice.yaml $(DESTDIR)/etc/sluice/sluice.yaml; fi && \
	install -D -m 0644 systemd/sluice.service $(DESTDIR)$(PREFIX)/lib/systemd/system/sluice.service && \
	install -D -m 0644 systemd/sluice.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/sluice.conf && \
	install -D -m 0644 systemd/sluice.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/sluice.conf && \
	sed -i "s|/usr/local|$(PREFIX)|g" $(DESTDIR)$(PREFIX)/lib/systemd/system/sluice.service

clean:
	rm -rf .build
