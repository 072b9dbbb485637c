package dev.coffer.benchmarks;

/** Where the benchmark's input lives: a heap {@code byte[]} or a direct {@code ByteBuffer}. */
public enum BufferKind {
  /** A heap {@code byte[]}. */
  HEAP,
  /** A direct (off-heap) {@code ByteBuffer}, what {@code FileChannel} I/O fills most cheaply. */
  DIRECT
}
