/** Shared memory across JVMs on one host: segments, atomics, robust locks, queues and pipes. */
package io.bingfa.shm;
