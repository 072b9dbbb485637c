/**
 * The {@code s3} object store on the AWS SDK for Java v2. It exports nothing; applications reach it
 * through {@link dev.coffer.store.ObjectStores}.
 */
module dev.coffer.store.aws {
  requires dev.coffer;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;

  provides dev.coffer.store.StoreProvider with
      dev.coffer.store.s3.S3StoreProvider;
}
