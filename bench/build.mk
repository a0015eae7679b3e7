# Benchmarks: 'make bench' prints medians and ratios from one run.

BENCH = $(B)/bench/bench
BENCH_LIB = $(B)/bench/libbenchlib.so
BENCH_PROG = $(B)/bench/shimbench
BENCH_DYN = $(B)/bench/dynbench
BENCH_SWEEP = $(B)/bench/sweep
ALL_TARGETS += $(BENCH) $(BENCH_LIB) $(BENCH_PROG) $(BENCH_DYN) $(BENCH_SWEEP)
SCRIPT_TESTS += tests/bench-smoke.sh tests/bench-report.sh

BENCH_COMMON = $(B)/bench/table.o $(B)/bench/calls.o

$(BENCH): $(B)/bench/bench.o $(BENCH_COMMON) $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $(B)/bench/bench.o $(BENCH_COMMON) $(CORE_A) \
	    $(ALL_LDFLAGS)

# Built as users build, without miso's flags.
$(BENCH_LIB): bench/benchlib.c
	@mkdir -p $(@D)
	$(call quiet,LD)$(CC) -O2 -fPIC -fsemantic-interposition -shared -o $@ $<

$(BENCH_PROG): bench/shimbench.c $(BENCH_LIB)
	$(call quiet,LD)$(CC) -O2 -o $@ $< -L$(B)/bench -lbenchlib -Wl,-rpath,'$$ORIGIN'

$(BENCH_SWEEP): $(B)/bench/sweep.o $(BENCH_COMMON) $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $(B)/bench/sweep.o $(BENCH_COMMON) $(CORE_A) \
	    $(ALL_LDFLAGS)

# docs/benchmarks.md and its plots, from one run of bench/sweep.
.PHONY: bench-report
bench-report: deps-bench $(BENCH_SWEEP)
	scripts/bench-report $(BENCH_SWEEP) docs

$(BENCH_DYN): bench/dynbench.c $(BENCH_LIB) $(CORE_LINK)
	$(call quiet,LD)$(CC) -O2 -Iinclude -o $@ $< -L$(B)/bench -lbenchlib -L$(B)/lib \
	    -lmisocore -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib'

bench: $(BENCH) $(BENCH_PROG) $(BENCH_DYN) $(SHIM_SO)
	$(BENCH) -s $(B)
-include bench/pool.mk
