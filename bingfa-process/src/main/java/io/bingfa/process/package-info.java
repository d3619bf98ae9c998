/** Worker JVMs: {@code ProcessPool} (ProcessPoolExecutor) and {@code JvmProcess} (multiprocessing.Process). */
package io.bingfa.process;
