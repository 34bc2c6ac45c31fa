import Foundation
import Posix
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// A real parser of the Prometheus text format for the process tests: `promtool check metrics`
/// when it is on PATH, and Python's `prometheus_client` (from PyPI, installed into a venv under
/// the package's `.build/`) for the values. Nil, with the reason, when neither can be had.
struct PrometheusParser {
    /// One sample as the parser read it.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let python: String
    let promtool: String?

    /// Finds promtool, and makes (once) `.build/prometheus-venv` with `prometheus_client`.
    static func make(scratchDirectory: String) -> Result<PrometheusParser, ProbeError> {
        let promtool = findOnPath("promtool")
        let build: String
        do {
            build = try packageBuildDirectory()
        } catch {
            return .failure(ProbeError("\(error)"))
        }
        let venv = "\(build)/prometheus-venv"
        let python = "\(venv)/bin/python3"
        func run(_ executable: String, _ arguments: [String]) -> String? {
            do {
                let done = try ChildProcess.run(
                    executable, arguments, scratchDirectory: scratchDirectory, timeout: .seconds(300))
                return done.status == .exited(0)
                    ? nil : "\(executable) \(arguments.joined(separator: " ")): \(done.stderr)"
            } catch {
                return "\(executable): \(error)"
            }
        }
        if run(python, ["-c", "import prometheus_client.parser"]) != nil {
            guard let system = findOnPath("python3") else { return .failure(ProbeError("no python3 on PATH")) }
            if let failure = run(system, ["-m", "venv", venv]) { return .failure(ProbeError(failure)) }
            if let failure = run("\(venv)/bin/pip", ["install", "--quiet", "prometheus_client"]) {
                return .failure(ProbeError("cannot install prometheus_client from PyPI: \(failure)"))
            }
        }
        return .success(PrometheusParser(python: python, promtool: promtool))
    }

    /// The Python program: parse stdin strictly, print one JSON sample per line.
    private static let program = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                print(json.dumps({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value}))
        """

    /// Checks `text` with promtool (if present) and parses it with prometheus_client; returns
    /// the samples and each family's type. Throws what either parser reported.
    func parse(_ text: String, scratchDirectory: String) throws -> (samples: [Sample], types: [String: String]) {
        if let promtool {
            let check = try ChildProcess.run(
                promtool, ["check", "metrics"], stdin: text, scratchDirectory: scratchDirectory)
            guard check.status == .exited(0) else {
                throw ProbeError("promtool check metrics: \(check.stdout)\(check.stderr)")
            }
        }
        let parsed = try ChildProcess.run(
            python, ["-c", Self.program], stdin: text, scratchDirectory: scratchDirectory)
        guard parsed.status == .exited(0) else {
            throw ProbeError("prometheus_client refused the text: \(parsed.stderr)")
        }
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in parsed.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require(object["name"] as? String)
            types[try #require(object["family"] as? String)] = object["type"] as? String
            samples.append(
                Sample(
                    name: name, labels: object["labels"] as? [String: String] ?? [:],
                    value: try #require((object["value"] as? NSNumber)?.doubleValue)))
        }
        return (samples, types)
    }
}
