/** Filled by its issue. */
package dev.coffer.local;
