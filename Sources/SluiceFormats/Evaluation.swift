/// `evaluation.json`, written by the evaluate stage: the holdout metrics, the
/// confusion counts and (binary) a 10-bin calibration table.
public struct Evaluation: Codable, Equatable, Sendable {
    public var task: String
    public var metrics: [String: Double]
    /// Binary: counts at threshold 0.5.
    public var confusion: BinaryConfusion?
    /// Multiclass: `counts[true][predicted]`.
    public var confusionMatrix: ConfusionMatrix?
    public var calibration: [CalibrationBin]?
    public var classes: [String]

    public init(task: String, metrics: [String: Double], confusion: BinaryConfusion?, confusionMatrix: ConfusionMatrix?,
                calibration: [CalibrationBin]?, classes: [String]) {
        self.task = task
        self.metrics = metrics
        self.confusion = confusion
        self.confusionMatrix = confusionMatrix
        self.calibration = calibration
        self.classes = classes
    }
}

/// Binary counts at the 0.5 threshold (computed by SluiceML's `ClassificationMetrics`).
public struct BinaryConfusion: Codable, Sendable, Equatable {
    public var truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0
    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }
}

/// The K × K confusion matrix: `counts[true][predicted]`.
public struct ConfusionMatrix: Codable, Sendable, Equatable {
    public var counts: [[Int]]
    public init(counts: [[Int]]) { self.counts = counts }
}

/// One bin of a reliability table: the rows in it, their mean predicted probability, the observed rate.
public struct CalibrationBin: Codable, Sendable, Equatable {
    public var lower: Double, upper: Double, rows: Int, meanPredicted: Double, observedRate: Double
    public init(lower: Double, upper: Double, rows: Int, meanPredicted: Double, observedRate: Double) {
        self.lower = lower
        self.upper = upper
        self.rows = rows
        self.meanPredicted = meanPredicted
        self.observedRate = observedRate
    }
}
