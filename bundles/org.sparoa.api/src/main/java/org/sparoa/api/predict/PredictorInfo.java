package org.sparoa.api.predict;

/**
 * Which trained predictor answers: its version (a counter that grows with every training), where it was loaded
 * from, its file size in bytes, its parameter count and how it was trained (command and seed).
 */
public record PredictorInfo(long version, String source, long modelBytes, long parameters, String trainedWith) {
}
