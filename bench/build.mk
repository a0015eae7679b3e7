# Benchmarks: 'make bench' prints medians and ratios from one run.

BENCH = $(B)/bench/bench
ALL_TARGETS += $(BENCH)
SCRIPT_TESTS += tests/bench-smoke.sh

$(BENCH): $(B)/bench/bench.o $(CORE_A)
	$(CC) -o $@ $< $(CORE_A) $(ALL_LDFLAGS)

bench: $(BENCH)
	$(BENCH)
