import SluiceFormats

/// One row's scores as people read them: the predicted label (or value) and
/// one probability per class. `sluice predict` and scoring drops both use it.
public enum PredictionRow {
    /// The predicted class (binary: `classes[1]` at or above `threshold`;
    /// multiclass: the most probable) or the predicted value.
    public static func predicted(_ model: LinearModel, _ scores: ArraySlice<Double>, threshold: Double = 0.5) -> String {
        switch model.link {
        case "logistic":
            return scores[scores.startIndex] >= threshold ? model.classes[1] : model.classes[0]
        case "softmax":
            var best = scores.startIndex
            for index in scores.indices where scores[index] > scores[best] { best = index }
            return model.classes[best - scores.startIndex]
        default:
            return "\(scores[scores.startIndex])"
        }
    }

    /// One probability per class (binary: P(classes[0]), P(classes[1])); none for regression.
    public static func probabilities(_ model: LinearModel, _ scores: ArraySlice<Double>) -> [Double] {
        switch model.link {
        case "logistic": [1 - scores[scores.startIndex], scores[scores.startIndex]]
        case "softmax": Array(scores)
        default: []
        }
    }
}
