/** SharedMap: a map in a memory-mapped file, buddy-allocated, shared by processes, reloaded in batches. */
package io.bingfa.cache;
