package dev.coffer.testkit.reference;

/**
 * The reference provider broken on purpose: {@link ReferenceProvider.Broken#DROPS_FINISHED_FILES}.
 */
public final class DropsFinishedFilesProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public DropsFinishedFilesProvider() {}

  @Override
  public String name() {
    return "tck-broken-drops-finished-files";
  }

  @Override
  Broken broken() {
    return Broken.DROPS_FINISHED_FILES;
  }
}
