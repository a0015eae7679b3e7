# Unit tests of the engine (cmocka): one program per source file of core/.

CORE_TESTS  = call child spawn io wire writer result stdio highfd
CORE_TEST_BINS = $(CORE_TESTS:%=$(B)/tests/test_%)

UNIT_TESTS     += $(CORE_TEST_BINS) $(B)/tests/test_stress
SCRIPT_TESTS   += tests/make.sh tests/clang.sh
VALGRIND_TESTS += $(CORE_TEST_BINS)

# Fault injection: these calls are routed through __wrap_* in the tests.
WRAP_call = -Wl,--wrap=fork -Wl,--wrap=memfd_create -Wl,--wrap=mmap64 \
            -Wl,--wrap=malloc
WRAP_io   = -Wl,--wrap=read -Wl,--wrap=write -Wl,--wrap=pread64

TEST_HELPERS = $(B)/tests/helpers.o $(B)/tests/callbacks.o

$(CORE_TEST_BINS) $(B)/tests/test_stress: $(B)/tests/test_%: \
    $(B)/tests/test_%.o $(TEST_HELPERS) $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $< $(TEST_HELPERS) $(CORE_A) $(WRAP_$*) $(CMOCKA_LIBS) \
	    $(ALL_LDFLAGS)

# A slow callback called many times, for the load harness (tests/load.sh);
# make test runs its bounded version, make test-load the full one.
LOAD_SPIN = $(B)/tests/load_spin
ALL_TARGETS += $(LOAD_SPIN)
SCRIPT_TESTS += tests/load.sh

$(LOAD_SPIN): $(B)/tests/load_spin.o $(CORE_A)
	$(CC) -o $@ $< $(CORE_A) $(ALL_LDFLAGS)
