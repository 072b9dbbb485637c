package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run: every command it runs succeeds on both providers, and it cleans up.
 */
class StartupTrainingTest {
  @TempDir Path tmp;

  @Test
  void train_runsEveryCommandSuccessfully_andDeletesItsWorkDirectory() throws Exception {
    Path work = tmp.resolve("work");
    assertEquals(List.of(), StartupTraining.train(work));
    assertFalse(Files.exists(work), "the training left its files behind");
  }
}
