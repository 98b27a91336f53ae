package io.bookmarket.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * Drives a call with N workers back to back (closed model) or at a fixed rate (open model), recording latencies in
 * microseconds in HdrHistograms.
 *
 * <p>Coordinated omission: a closed-loop worker that waits for a slow answer sends nothing meanwhile, so the raw
 * histogram under-reports the stall. Each worker's histogram is therefore also corrected with HdrHistogram's
 * {@code copyCorrectedForCoordinatedOmission}, the expected interval being that worker's median service time (the
 * pace at which it would have sent requests); both are reported, the corrected one is the headline. The fixed-rate
 * mode measures from each request's intended start time, which is free of coordinated omission by construction.
 */
final class LoadGenerator {

    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

    @FunctionalInterface
    interface Call {
        /** One request; returns its status (HTTP status, or any code the caller classifies). */
        int call(int worker, long seq) throws Exception;
    }

    private LoadGenerator() {
    }

    /**
     * Warm-up (not recorded), then requests started within {@code duration} are recorded; each worker records at
     * least one.
     */
    static Outcome closedLoop(String name, int concurrency, Duration warmup, Duration duration, IntPredicate ok, Call call) {
        return closedLoop(name, concurrency, warmup, duration, ok, call, () -> { });
    }

    /** As above; {@code atMeasureStart} runs once when the warm-up ends (e.g. a CPU-time snapshot). */
    static Outcome closedLoop(String name, int concurrency, Duration warmup, Duration duration, IntPredicate ok, Call call,
            Runnable atMeasureStart) {
        long begin = System.nanoTime();
        long measureFrom = begin + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        Histogram[] perWorker = new Histogram[concurrency];
        Tally tally = new Tally(ok);
        AtomicLong seq = new AtomicLong();
        AtomicLong lastCompletion = new AtomicLong(measureFrom);
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                int worker = w;
                perWorker[w] = new Histogram(MAX_MICROS, 3);
                workers.submit(() -> {
                    while (true) {
                        long start = System.nanoTime();
                        // Every worker records at least one request, even when a cold start outlasts a short run.
                        if (start >= end && perWorker[worker].getTotalCount() > 0) {
                            return;
                        }
                        int status = invoke(call, worker, seq.incrementAndGet());
                        long done = System.nanoTime();
                        if (start >= measureFrom) {
                            perWorker[worker].recordValue(Math.min(MAX_MICROS, Math.max(1, (done - start) / 1000)));
                            tally.count(status);
                            lastCompletion.accumulateAndGet(done, Math::max);
                        }
                    }
                });
            }
            for (long wait; (wait = measureFrom - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            atMeasureStart.run();
        }
        Histogram raw = new Histogram(MAX_MICROS, 3);
        Histogram corrected = new Histogram(MAX_MICROS, 3);
        for (Histogram h : perWorker) {
            if (h.getTotalCount() > 0) {
                raw.add(h);
                corrected.add(h.copyCorrectedForCoordinatedOmission(h.getValueAtPercentile(50)));
            }
        }
        double seconds = Math.max(duration.toNanos(), lastCompletion.get() - measureFrom) / 1e9;
        return new Outcome(name, concurrency, 0, warmup, seconds, tally, raw, corrected);
    }

    /** Starts a request every 1/rate seconds, whatever the previous ones do; latency from the intended start. */
    static Outcome fixedRate(String name, double ratePerSecond, Duration duration, IntPredicate ok, Call call) {
        long period = (long) (1e9 / ratePerSecond);
        long begin = System.nanoTime();
        long end = begin + duration.toNanos();
        Histogram latencies = new ConcurrentHistogram(MAX_MICROS, 3);
        Tally tally = new Tally(ok);
        AtomicLong lastCompletion = new AtomicLong(begin);
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; ; i++) {
                long intended = begin + i * period;
                if (intended >= end) {
                    break;
                }
                for (long wait; (wait = intended - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                long seq = i;
                requests.submit(() -> {
                    int status = invoke(call, 0, seq);
                    long done = System.nanoTime();
                    latencies.recordValue(Math.min(MAX_MICROS, Math.max(1, (done - intended) / 1000)));
                    tally.count(status);
                    lastCompletion.accumulateAndGet(done, Math::max);
                });
            }
        }
        double seconds = Math.max(duration.toNanos(), lastCompletion.get() - begin) / 1e9;
        return new Outcome(name, 0, ratePerSecond, Duration.ZERO, seconds, tally, latencies, latencies);
    }

    private static int invoke(Call call, int worker, long seq) {
        try {
            return call.call(worker, seq);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (Exception e) {
            return -1; // connection refused, timeout, SQL error: counted as a failure with status -1
        }
    }

    static final class Tally {
        final IntPredicate ok;
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

        Tally(IntPredicate ok) {
            this.ok = ok;
        }

        void count(int status) {
            (ok.test(status) ? succeeded : failed).increment();
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        }
    }

    /** What one run measured; latencies in the histograms are microseconds. */
    record Outcome(String name, int concurrency, double rate, Duration warmup, double seconds, Tally tally,
            Histogram raw, Histogram corrected) {

        long ok() {
            return tally.succeeded.sum();
        }

        long failed() {
            return tally.failed.sum();
        }

        /** Every recorded request, answered or not. */
        long requests() {
            return ok() + failed();
        }

        /** Recorded requests with this status (-1: no answer). */
        long count(int status) {
            LongAdder n = tally.statuses.get(status);
            return n == null ? 0 : n.sum();
        }

        /** Successful operations per second. */
        double throughput() {
            return ok() / seconds;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            if (concurrency > 0) {
                m.put("concurrency", concurrency);
            } else {
                m.put("ratePerSecond", rate);
            }
            m.put("warmupSeconds", warmup.toMillis() / 1000.0);
            m.put("seconds", round(seconds));
            m.put("ok", ok());
            m.put("failed", failed());
            Map<String, Long> statuses = new TreeMap<>();
            tally.statuses.forEach((s, n) -> statuses.put(Integer.toString(s), n.sum()));
            m.put("statuses", statuses);
            m.put("throughputPerSecond", round(throughput()));
            m.put("latencyMs", percentiles(corrected));
            m.put("latencyMsRaw", percentiles(raw));
            return m;
        }
    }

    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("p50", ms(h.getValueAtPercentile(50)));
        m.put("p90", ms(h.getValueAtPercentile(90)));
        m.put("p99", ms(h.getValueAtPercentile(99)));
        m.put("p99.9", ms(h.getValueAtPercentile(99.9)));
        m.put("max", ms(h.getMaxValue()));
        m.put("mean", round(h.getMean() / 1000.0));
        return m;
    }

    static double ms(long micros) {
        return round(micros / 1000.0);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
