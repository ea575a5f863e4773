import SluiceSystem
import Testing

/// Numbers in logs and reports read as people write them.
@Suite struct HumanNumberTests {
    @Test func countsAreGroupedAndFractionsKeepFourDigits() {
        #expect(HumanNumber.format(1_000_000) == "1,000,000")
        #expect(HumanNumber.format(768_000) == "768,000")
        #expect(HumanNumber.format(-12_345) == "-12,345")
        #expect(HumanNumber.format(42) == "42")
        #expect(HumanNumber.format(0) == "0")
        #expect(HumanNumber.format(0.80531) == "0.8053")
        #expect(HumanNumber.format(12_345.678) == "12,345.7")
        #expect(HumanNumber.format(0.00001234) == "1.23e-05")
        #expect(HumanNumber.format(.nan) == "NaN")
    }
}
