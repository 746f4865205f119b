package org.sparoa.bench;

/** A bounded background load of the benchmarks ({@link BackendLoad}, {@link CoreLoad}): it ends; close ends it. */
interface BackgroundLoad extends AutoCloseable {

    /** The runs the load has made (all of them once closed). */
    long runs();

    @Override
    void close() throws Exception;
}
