# criu: checkpoint/restore in userspace.
#
#   make            build ./criu
#   make test       install missing packages, build, unit tests (plain and
#                   under ASan+UBSan), then the zdtm suite
#   make demo       install missing packages, build, run the counting demo
#   make docs       build Documentation/criu.8
#   make fuzz       run the image-reader fuzzer for FUZZ_SECONDS
#   make bench      run the benchmarks in bench/

CC		?= gcc
BUILD		?= build
SANITIZE	?=
V		?= 0

ifeq ($(V),0)
Q		:= @
else
Q		:=
endif

WARN		:= -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS_BASE	:= -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARN) -Isrc -I$(BUILD)/proto -I$(BUILD)/pie \
		   -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS_BASE	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined -O1
LDFLAGS_SAN	:= -fsanitize=address,undefined
endif
LIBS		:= -lprotobuf-c -lcap
CHECK_LIBS	= $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Layers, lowest first; a file may include only its own layer and those
# below it (ci/check-layers.py enforces this).
LAYERS		:= util images infect engine res cmd

PROTOS		:= $(sort $(wildcard proto/*.proto))
PROTO_C		:= $(patsubst proto/%.proto,$(BUILD)/proto/%.pb-c.c,$(PROTOS))
PROTO_H		:= $(PROTO_C:.c=.h)
PROTO_O		:= $(PROTO_C:.c=.o)

LIB_SRC		:= $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
LIB_SRC		:= $(filter-out src/cmd/main.c,$(LIB_SRC))
LIB_O		:= $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRC))

PIE_SRC		:= $(sort $(wildcard src/pie/*.c))
PIE_CFLAGS	:= -std=gnu11 -O2 -g $(WARN) -Isrc -fpie -ffreestanding -nostdlib \
		   -fno-stack-protector -fno-builtin -fno-asynchronous-unwind-tables \
		   -fno-unwind-tables -fno-jump-tables -mno-red-zone -fvisibility=hidden \
		   -fcf-protection=none -MMD -MP

UNIT_SRC	:= $(sort $(wildcard test/unit/test_*.c))
# tests walked through every CRIU_FAULT point by make test
FAULT_WALK_TESTS := env00 pstree00 zombie00 thread00 pipe00 mem_shared unlink00 session00 aio00
UNIT_BIN	:= $(patsubst test/unit/%.c,$(BUILD)/test/%,$(UNIT_SRC))

.PHONY: all clean deps test unit unit-san zdtm demo docs fuzz bench layers

# generated sources are kept, so a second make has nothing to do
.SECONDARY: $(PROTO_C) $(PROTO_H)

all: criu

criu: $(BUILD)/criu
	$(Q)ln -sf $(BUILD)/criu criu

$(BUILD)/criu: $(BUILD)/cmd/main.o $(BUILD)/libcriu.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(LIBS)

$(BUILD)/libcriu.a: $(LIB_O) $(PROTO_O) $(BUILD)/pie/blobs.o
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Generated protobuf-c sources; every engine object waits for the headers.
$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(dir $@)
	@echo "  PROTOC  $<"
	$(Q)protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c
	$(Q)$(CC) $(filter-out -Werror,$(CFLAGS_BASE)) -c -o $@ $<

$(BUILD)/%.o: src/%.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) -c -o $@ $<

# Freestanding blobs, one per src/pie/NAME.c: compiled without libc, linked
# into one segment, checked for relocations and undefined symbols, then
# embedded as raw bytes (_binary_NAME_bin_start/_end) with the offsets of
# their blob_* symbols in NAME-syms.h (blob_entry -> NAME_ENTRY_OFF).
BLOBS		:= $(patsubst src/pie/%.c,%,$(PIE_SRC))
BLOB_BIN	:= $(patsubst %,$(BUILD)/pie/%.bin,$(BLOBS))
BLOB_SYMS	:= $(patsubst %,$(BUILD)/pie/%-syms.h,$(BLOBS))
.SECONDARY: $(patsubst %,$(BUILD)/pie/%.o,$(BLOBS)) $(patsubst %,$(BUILD)/pie/%.elf,$(BLOBS))

# the parasite runs on a live task's thread, whose FPU/SSE state it must not touch
$(BUILD)/pie/parasite.o: PIE_CFLAGS += -mgeneral-regs-only

$(BUILD)/pie/%.o: src/pie/%.c
	@mkdir -p $(dir $@)
	@echo "  PIECC   $<"
	$(Q)$(CC) $(PIE_CFLAGS) -c -o $@ $<

$(BUILD)/pie/%.elf: $(BUILD)/pie/%.o src/pie/blob.lds
	@echo "  PIELD   $@"
	$(Q)ld -static -pie --no-dynamic-linker -z noexecstack -T src/pie/blob.lds \
		-o $@ $<
	$(Q)if readelf -rW $@ | grep -q 'R_X86_64'; then \
		echo "error: $@ has dynamic relocations"; readelf -rW $@; exit 1; fi
	$(Q)if nm -u $@ | grep -q .; then \
		echo "error: $@ has undefined symbols"; nm -u $@; exit 1; fi

$(BUILD)/pie/%.bin: $(BUILD)/pie/%.elf
	$(Q)objcopy -O binary $< $@

$(BUILD)/pie/%-syms.h: $(BUILD)/pie/%.elf
	$(Q)nm $< | awk -v p=$* '$$3 ~ /^blob_/ { sub(/^blob_/, "", $$3); \
		printf "#define %s_%s_OFF 0x%s\n", toupper(p), toupper($$3), $$1 }' > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/pie/blobs.o: $(BLOB_BIN)
	$(Q)for b in $(BLOBS); do printf '%s\n' '.section .rodata' '.balign 64' \
		".global _binary_$${b}_bin_start" "_binary_$${b}_bin_start:" \
		".incbin \"$(BUILD)/pie/$$b.bin\"" ".global _binary_$${b}_bin_end" \
		"_binary_$${b}_bin_end:"; done > $(BUILD)/pie/blobs.S
	$(Q)printf '%s\n' '.section .note.GNU-stack,"",@progbits' >> $(BUILD)/pie/blobs.S
	$(Q)$(CC) -c -o $@ $(BUILD)/pie/blobs.S

$(LIB_O) $(BUILD)/cmd/main.o: $(BLOB_SYMS)

$(BUILD)/test/%: test/unit/%.c $(wildcard test/unit/*.h) $(BUILD)/libcriu.a
	@mkdir -p $(dir $@)
	@echo "  UNIT    $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(LDFLAGS_SAN) -o $@ $< $(BUILD)/libcriu.a $(LIBS) $(CHECK_LIBS)

deps:
	$(Q)ci/install-deps.sh

layers:
	$(Q)python3 ci/check-layers.py

unit: $(UNIT_BIN) layers
	$(Q)ci/run-unit.sh $(UNIT_BIN)

unit-san:
	$(Q)$(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 unit

zdtm: all
	$(Q)$(MAKE) --no-print-directory -C zdtm
	$(Q)python3 runner/zdtm.py run -a --keep-going --report build/zdtm-report \
		--mode kill,leave-running,leave-stopped,restore-stopped,iters,check-only
	$(Q)python3 runner/zdtm.py run --no-build --keep-going --fault-walk \
		$(addprefix -t zdtm/static/,$(FAULT_WALK_TESTS))
	$(Q)python3 runner/zdtm.py run --no-build --keep-going --break --mode kill \
		$(addprefix -t zdtm/static/,env00 maps00 pipe00 sigpending00 zombie00 thread00 \
		fpu00 file_offset00 pty00 shell_job00)

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory unit-san
	$(Q)ci/test-check.sh
	$(Q)ci/test-bad-input.sh
	$(Q)python3 ci/test-actions.py
	$(Q)python3 ci/test-inherit.py
	$(Q)python3 ci/test-shell-job.py
	$(Q)ci/test-exec.sh
	$(Q)ci/test-cpuinfo.sh
	$(Q)python3 ci/test-freeze-cgroup.py
	$(Q)ci/test-digest.sh
	$(Q)python3 ci/test-page-server.py
	$(Q)python3 ci/test-service.py
	$(Q)python3 ci/test-scm-creds.py
	$(Q)$(MAKE) --no-print-directory zdtm

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)ci/demo.sh

docs: Documentation/criu.8

Documentation/criu.8: Documentation/criu.txt
	$(Q)ci/install-deps.sh docs
	$(Q)PATH=/usr/bin:$$PATH a2x -d manpage -f manpage -L $<

fuzz:
	$(Q)ci/fuzz.sh

bench: all
	$(Q)$(MAKE) --no-print-directory -C bench

clean:
	rm -rf build criu Documentation/criu.8
	$(MAKE) -C zdtm clean || true

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
