import FileIO
import Raft
import Testing

@Suite struct CRC32CTests {
    @Test func knownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func continuationEqualsWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(
                CRC32C.checksum(Array(bytes[split...]), continuing: first) == CRC32C.checksum(bytes), "split \(split)")
        }
    }
}

@Suite struct CRC32CHardwareTests {
    /// The instruction path and the tables agree on every length and alignment (when this CPU
    /// has the instruction; otherwise both calls run the tables and the test still checks them).
    @Test func instructionAndTablesAgree() {
        var rng = SplitMix64(seed: 0x5EED)
        let bytes = (0..<4099).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for count in [0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 1000, 4090] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
                    for previous: UInt32 in [0, 0xDEAD_BEEF] {
                        #expect(
                            CRC32C.checksum(slice, continuing: previous)
                                == CRC32C.software(slice, continuing: previous),
                            "start \(start) count \(count) previous \(previous)")
                    }
                }
            }
        }
        #expect(CRC32C.software(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }
}
