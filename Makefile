# tinystack - one plain Makefile.  `make` builds, `make run` serves on :4566,
# `make test` runs every test; both install missing build dependencies with
# apt-get first when they can.  SANITIZE=1 builds with ASan+UBSan into a
# separate build directory.

PKGS      := libmicrohttpd libcjson sqlite3 libcrypto libuv expat zlib
CC        ?= cc
SANITIZE  ?= 0
PORT      ?= 4566

ifeq ($(SANITIZE),1)
BUILD     := build/san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CHECKS    := -DTS_CHECKS
OPT       := -O1 -g
else
# STATIC=0's objects are position independent, the release build's not:
# each has its own directory.
BUILD     := $(if $(filter 0,$(STATIC)),build/dyn,build/rel)
SANFLAGS  :=
CHECKS    :=
OPT       := -O2 -g
endif

WARN      := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
             -Wshadow -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) libzip 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# The release build links statically what Debian ships as .a (SQLite,
# expat, libuv, libcrypto, zlib): fewer shared objects to map and
# relocate at start.  libmicrohttpd and cJSON stay shared (the former's
# .a drags in GnuTLS; the latter ships none).  It is not position
# independent: a PIE's 22k relocations (most of them OpenSSL's tables)
# are read and applied at every start, 0.7 MiB of idle RSS; the shared
# libraries are still placed at random.  STATIC=0 links all shared, PIE.
STATIC    ?= $(if $(filter 1,$(SANITIZE)),0,1)
have_a     = $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a))
ifeq ($(STATIC),1)
ST_SQLITE := $(if $(call have_a,sqlite3),sqlite3)
ST_EXPAT  := $(if $(call have_a,expat),expat)
ST_UV     := $(if $(call have_a,uv_a),uv_a,$(if $(call have_a,uv),uv))
ST_CRYPTO := $(if $(call have_a,crypto),crypto)
ST_Z      := $(if $(call have_a,z),z)
ST_LIST   := $(strip $(ST_SQLITE) $(ST_EXPAT) $(ST_UV) $(ST_CRYPTO) $(ST_Z))
DYN_PKGS  := libmicrohttpd libcjson $(if $(ST_SQLITE),,sqlite3) \
             $(if $(ST_EXPAT),,expat) $(if $(ST_UV),,libuv) \
             $(if $(ST_CRYPTO),,libcrypto) $(if $(ST_Z),,zlib)
PKG_LIBS   = -Wl,-Bstatic $(addprefix -l,$(ST_LIST)) -Wl,-Bdynamic \
             $(shell pkg-config --libs $(DYN_PKGS) 2>/dev/null) -ldl -lrt
PIE       := -fno-pie
LDFLAGS   += -no-pie
endif
CFLAGS    += -std=c11 -D_GNU_SOURCE $(OPT) $(PIE) $(WARN) $(SANFLAGS) $(CHECKS) -Iinclude $(PKG_CFLAGS) -MMD -MP
LDFLAGS   += $(SANFLAGS)
LDLIBS    += $(PKG_LIBS) -lpthread -lm

SRC_ALL   := $(sort $(wildcard src/*/*.c))
# Files the binary carries (the Lambda runtime clients) become C here.
EMBED_SRC := $(sort $(wildcard src/lambda/runtimes/*.py src/lambda/runtimes/*.js))
EMBED_C   := $(BUILD)/gen/ts_embedded.c
OBJ_LIB   := $(SRC_ALL:%.c=$(BUILD)/%.o) $(BUILD)/gen/ts_embedded.o
OBJ_MAIN  := $(BUILD)/src/main.o
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)

BIN       := $(BUILD)/tinystack
UNIT_BIN  := $(BUILD)/unit_tests

PREFIX    ?= /usr/local
DESTDIR   ?=

.PHONY: all deps run test test-unit test-integration test-cli bench clean models \
        install uninstall operations

all: deps $(BIN)
	@ln -sf $(BIN) tinystack

deps:
	@sh tests/deps.sh build

$(BIN): $(OBJ_MAIN) $(OBJ_LIB) Makefile
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(OBJ_LIB) Makefile
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(EMBED_C): $(EMBED_SRC) src/core/ts_embed.sh
	@mkdir -p $(dir $@)
	sh src/core/ts_embed.sh $(EMBED_SRC) >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/ts_embedded.o: $(EMBED_C)
	$(CC) $(CFLAGS) -c -o $@ $<

run: all
	./$(BIN) --port $(PORT)

test: all $(UNIT_BIN)
	@sh tests/deps.sh test
	@TINYSTACK_BIN=$(BIN) UNIT_BIN=$(UNIT_BIN) sh tests/run.sh

test-unit: deps $(UNIT_BIN)
	./$(UNIT_BIN)

test-integration: all
	@sh tests/deps.sh test
	@TINYSTACK_BIN=$(BIN) ONLY=integration sh tests/run.sh

test-cli: all
	@sh tests/deps.sh test
	@TINYSTACK_BIN=$(BIN) ONLY=cli sh tests/run.sh

bench: all
	sh bench/s3.sh
	sh bench/dynamodb.sh
	sh bench/lambda.sh
	sh bench/apigw.sh

# The binary carries what it needs (the Lambda runtime clients are
# embedded), so it runs from any directory.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tinystack
	install -m 755 src/tools/awslocal $(DESTDIR)$(PREFIX)/bin/awslocal
	install -m 644 docs/tinystack.1 $(DESTDIR)$(PREFIX)/share/man/man1/tinystack.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tinystack $(DESTDIR)$(PREFIX)/bin/awslocal \
	      $(DESTDIR)$(PREFIX)/share/man/man1/tinystack.1

# docs/operations.md from the operation tables (a test checks it is current).
operations: all
	sh docs/operations.sh $(BIN) >docs/operations.md

# Regenerates src/model/model_<svc>.c from the botocore models (not part of
# `all`: the generated files are committed).  BOTOCORE_DATA=dir/of/botocore/data
# picks a botocore other than the one python3 imports.
models:
	python3 src/model/model_gen.py $(BOTOCORE_DATA)

clean:
	rm -rf build tinystack

-include $(OBJ_LIB:.o=.d) $(OBJ_MAIN:.o=.d) $(UNIT_OBJ:.o=.d)
