package dev.coffer.testkit.reference;

/**
 * The reference provider broken on purpose: {@link
 * ReferenceProvider.Broken#RESTORE_SKIPS_CHECKSUMS}.
 */
public final class RestoreSkipsChecksumsProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public RestoreSkipsChecksumsProvider() {}

  @Override
  public String name() {
    return "tck-broken-restore-skips-checksums";
  }

  @Override
  Broken broken() {
    return Broken.RESTORE_SKIPS_CHECKSUMS;
  }
}
