# Worker mode: its unit test and its benchmark (included last by
# bench/build.mk).

POOL_TEST  = $(B)/tests/test_pool
POOL_BENCH = $(B)/bench/pool_bench

UNIT_TESTS     += $(POOL_TEST)
VALGRIND_TESTS += $(POOL_TEST)
ALL_TARGETS    += $(POOL_BENCH)

$(POOL_TEST): $(B)/tests/test_pool.o $(B)/tests/helpers.o $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $< $(B)/tests/helpers.o $(CORE_A) $(CMOCKA_LIBS) \
	    $(ALL_LDFLAGS)

$(POOL_BENCH): $(B)/bench/pool_bench.o $(BENCH_COMMON) $(CORE_A)
	$(call quiet,LD)$(CC) -o $@ $(B)/bench/pool_bench.o $(BENCH_COMMON) $(CORE_A) \
	    $(ALL_LDFLAGS)

.PHONY: pool-bench
pool-bench: $(POOL_BENCH)
	$(POOL_BENCH)

bench: pool-bench
