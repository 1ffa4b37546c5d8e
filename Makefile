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
OPT       := -O1 -g
else
BUILD     := build/rel
SANFLAGS  :=
OPT       := -O2 -g
endif

WARN      := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
             -Wshadow -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -Iinclude $(PKG_CFLAGS) -MMD -MP
LDFLAGS   += $(SANFLAGS)
LDLIBS    += $(PKG_LIBS) -lpthread -lm

SRC_ALL   := $(sort $(wildcard src/*/*.c))
OBJ_LIB   := $(SRC_ALL:%.c=$(BUILD)/%.o)
OBJ_MAIN  := $(BUILD)/src/main.o
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)

BIN       := $(BUILD)/tinystack
UNIT_BIN  := $(BUILD)/unit_tests

.PHONY: all deps run test test-unit test-integration test-cli bench clean

all: deps $(BIN)
	@ln -sf $(BIN) tinystack

deps:
	@sh tests/deps.sh build

$(BIN): $(OBJ_MAIN) $(OBJ_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(OBJ_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
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

clean:
	rm -rf build tinystack

-include $(OBJ_LIB:.o=.d) $(OBJ_MAIN:.o=.d) $(UNIT_OBJ:.o=.d)
