package io.bookmarket.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine the figures come from (Linux /proc), and per-process memory. */
final class Machine {

    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> cpuinfo = lines("/proc/cpuinfo");
        m.put("cpuModel", cpuinfo.stream().filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("unknown"));
        m.put("logicalCpus", cpuinfo.stream().filter(l -> l.startsWith("processor")).count());
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("memTotalMb", lines("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1L));
        m.put("kernel", String.join(" ", lines("/proc/sys/kernel/osrelease")));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return m;
    }

    /** /proc/loadavg: the 1, 5 and 15 minute load averages. */
    static String loadavg() {
        String line = String.join(" ", lines("/proc/loadavg"));
        String[] parts = line.split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : line;
    }

    /** Resident set size (VmRSS) of a process in MB, or -1 if it is gone. */
    static double rssMb(long pid) {
        return lines("/proc/" + pid + "/status").stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 102.4) / 10.0).findFirst().orElse(-1.0);
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }
}
