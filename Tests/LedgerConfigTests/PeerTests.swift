import LedgerConfig
import Raft
import Testing

@Suite struct PeerTests {
    @Test func nodeIDsComeFromTheNumberInTheName() {
        #expect(Peer.nodeID(forName: "n0") == NodeID(0))
        #expect(Peer.nodeID(forName: "n7") == NodeID(7))
        #expect(Peer.nodeID(forName: "node128") == NodeID(128))
        #expect(Peer.nodeID(forName: "N18446744073709551615") == NodeID(UInt64.max))
        for bad in ["", "n", "0", "7n", "n01", "n-1", "n1a", "né1", "n18446744073709551616", "n 1"] {
            #expect(Peer.nodeID(forName: bad) == nil, "\(bad)")
        }
    }

    @Test func idsSurviveChangesToThePeerList() throws {
        let three = try Peer.parseList("n0-h:1;n1-h:2;n2-h:3")
        let withoutN0 = try Peer.parseList("n2-h:3;n1-h:2")
        #expect(three.first { $0.name == "n2" }?.id == withoutN0.first { $0.name == "n2" }?.id)
    }

    @Test func hostsMayBeNamesIPv4OrBracketedIPv6() throws {
        let peers = try Peer.parseList("n0-127.0.0.1:1;n1-ledger-1.example.com:2;n2-[::1]:3;n3-localhost:65535")
        #expect(peers.map(\.host) == ["127.0.0.1", "ledger-1.example.com", "::1", "localhost"])
        #expect(peers.map(\.address) == ["127.0.0.1:1", "ledger-1.example.com:2", "[::1]:3", "localhost:65535"])
        #expect(
            peers.map(\.description) == [
                "n0-127.0.0.1:1", "n1-ledger-1.example.com:2", "n2-[::1]:3", "n3-localhost:65535",
            ])
    }

    @Test func errorsFromTheCommandLine() {
        #expect(
            peersErrorMessage("n0-127.0.0.1:40911;n1-127.0.0.1:99999")
                == #"--peers: expected a port from 1 to 65535 for n1, got "99999""#)
        #expect(peersErrorMessage("n0-127.0.0.1:0") == #"--peers: expected a port from 1 to 65535 for n0, got "0""#)
        #expect(
            peersErrorMessage("n0-127.0.0.1:http") == #"--peers: expected a port from 1 to 65535 for n0, got "http""#)
        #expect(
            peersErrorMessage("127.0.0.1:40911")
                == #"--peers: expected entries of the form id-host:port separated by ";", got "127.0.0.1:40911""#)
        #expect(
            peersErrorMessage("alpha-127.0.0.1:1")
                == #"--peers: expected a node id of letters then a number without leading zeros, such as n0, got "alpha""#
        )
        #expect(peersErrorMessage("n0-127.0.0.1") == #"--peers: expected host:port after n0-, got "127.0.0.1""#)
        #expect(
            peersErrorMessage("n0-bad_host:1")
                == #"--peers: expected a host name, IPv4 address or [IPv6] address for n0, got "bad_host""#)
        #expect(
            peersErrorMessage("n0-300.1.1.1:1")
                == #"--peers: expected a host name, IPv4 address or [IPv6] address for n0, got "300.1.1.1""#)
        #expect(
            peersErrorMessage("n0-:1")
                == #"--peers: expected a host name, IPv4 address or [IPv6] address for n0, got """#)
        #expect(
            peersErrorMessage("n0-a:1;n0-b:2")
                == #"--peers: expected each node id once (n0 appears twice), got "n0-b:2""#)
        #expect(
            peersErrorMessage("n1-a:1;m1-b:2")
                == #"--peers: expected a distinct number in each node id (n1 and m1 are both node 1), got "m1-b:2""#)
        #expect(
            peersErrorMessage("n0-a:1;n1-A:1")
                == #"--peers: expected each address once (n0 and n1 both use A:1), got "n1-A:1""#)
        #expect(peersErrorMessage(" ; ") == #"--peers: expected at least one id-host:port entry, got " ; ""#)
    }
}
