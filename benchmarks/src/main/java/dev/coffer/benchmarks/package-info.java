/**
 * JMH benchmarks for Coffer: checksums ({@link dev.coffer.benchmarks.ChecksumBenchmark}), zstd
 * ({@link dev.coffer.benchmarks.CodecBenchmark}), authenticated encryption ({@link
 * dev.coffer.benchmarks.AeadBenchmark}) and the archive block pipeline ({@link
 * dev.coffer.benchmarks.PipelineBenchmark}).
 *
 * <p>Every benchmark works on one buffer of {@code size} bytes per operation and runs in {@code
 * Mode.Throughput}; {@code benchmarks/plot.py} turns ops/s into MB/s (10^6 bytes per second) by
 * multiplying with the {@code size} parameter. Parameters are enums of small adapters ({@link
 * dev.coffer.benchmarks.ChecksumKind}, {@link dev.coffer.benchmarks.ZstdApi}, {@link
 * dev.coffer.benchmarks.AeadKind}, {@link dev.coffer.benchmarks.DataKind}); every benchmark returns
 * its result so the JIT cannot discard the work. See {@code docs/benchmarks.md}.
 */
package dev.coffer.benchmarks;
