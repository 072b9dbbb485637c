package dev.coffer.examples;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A demo workload: one thread that inserts rows with ids 1, 2, 3, ... one committed transaction per
 * row, until stopped. Because ids are assigned in order by a single thread and every transaction
 * commits, any consistent snapshot of the table holds exactly the ids {@code 1..n} for some {@code
 * n}, with {@code committed()} read before the snapshot {@code <= n <= started()} read after it.
 *
 * <p>The writer owns its connection (and closes it). Its methods are thread-safe.
 */
public final class DemoWriter implements AutoCloseable {

  private final Connection connection;
  private final String insertSql;
  private final Thread thread;
  private final Object lock = new Object();
  private volatile boolean stopping;
  private volatile long started;
  private long committed; // guarded by lock
  private Throwable failure; // guarded by lock

  private DemoWriter(Connection connection, String insertSql, String name) {
    this.connection = connection;
    this.insertSql = insertSql;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts a writer.
   *
   * @param connection a connection for the writer alone; it is switched to manual commit and closed
   *     by {@link #stop()}
   * @param insertSql an insert with two parameters: the id ({@code long}) and a text payload
   * @param name the thread's name
   * @return the running writer
   */
  public static DemoWriter start(Connection connection, String insertSql, String name) {
    DemoWriter w =
        new DemoWriter(
            requireNonNull(connection, "connection"),
            requireNonNull(insertSql, "insertSql"),
            requireNonNull(name, "name"));
    w.thread.start();
    return w;
  }

  /**
   * The payload stored with row {@code id}, so a restore can check content as well as ids.
   *
   * @param id the row id
   * @return the payload text
   */
  public static String payload(long id) {
    return "row " + id + " " + Long.toHexString(id * 0x9E3779B97F4A7C15L);
  }

  private void run() {
    try (connection;
        PreparedStatement insert = prepare()) {
      for (long id = 1; !stopping; id++) {
        started = id;
        insert.setLong(1, id);
        insert.setString(2, payload(id));
        insert.executeUpdate();
        connection.commit();
        synchronized (lock) {
          committed = id;
          lock.notifyAll();
        }
      }
    } catch (SQLException | RuntimeException e) {
      synchronized (lock) {
        failure = e;
        lock.notifyAll();
      }
    }
  }

  private PreparedStatement prepare() throws SQLException {
    connection.setAutoCommit(false);
    return connection.prepareStatement(insertSql);
  }

  /**
   * The highest id whose commit has returned: every row up to it is durable.
   *
   * @return the id, 0 before the first commit
   */
  public long committed() {
    synchronized (lock) {
      return committed;
    }
  }

  /**
   * The highest id whose insert has begun: no row above it exists yet, committed or not.
   *
   * @return the id, 0 before the first insert
   */
  public long started() {
    return started;
  }

  /**
   * Waits until at least {@code id} rows are committed.
   *
   * @param id the id to wait for
   * @param timeout how long to wait at most
   * @throws TimeoutException if the writer does not get there in time
   * @throws IllegalStateException if the writer failed or stopped before getting there
   * @throws InterruptedException if interrupted while waiting
   */
  public void awaitCommitted(long id, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (committed < id) {
        if (failure != null) {
          throw new IllegalStateException(
              "writer " + thread.getName() + " failed at row " + (committed + 1), failure);
        }
        if (!thread.isAlive()) {
          throw new IllegalStateException(
              "writer " + thread.getName() + " stopped at row " + committed);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(
              "writer "
                  + thread.getName()
                  + " committed "
                  + committed
                  + " rows, not "
                  + id
                  + ", within "
                  + timeout);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /**
   * Stops the writer, waits for it (at most 30 seconds) and closes its connection.
   *
   * @return the highest committed id
   * @throws SQLException if the writer failed
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if the writer does not stop (for example because the database is
   *     frozen)
   */
  public long stop() throws SQLException, InterruptedException {
    stopping = true;
    thread.join(Duration.ofSeconds(30).toMillis());
    if (thread.isAlive()) {
      throw new IllegalStateException(
          "writer " + thread.getName() + " did not stop within 30 s (row " + started + ")");
    }
    synchronized (lock) {
      if (failure instanceof SQLException e) {
        throw e;
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      return committed;
    }
  }

  /**
   * Same as {@link #stop()}, for try-with-resources; an interrupt while waiting is kept as the
   * thread's interrupt status.
   *
   * @throws SQLException if the writer failed
   * @throws IllegalStateException if interrupted while waiting, or the writer does not stop
   */
  @Override
  public void close() throws SQLException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping writer " + thread.getName(), e);
    }
  }
}
