namespace Research.Lib.Training;

/// <summary>Unsupervised contrastive objectives on plain sentences.</summary>
public enum UnsupervisedMethod
{
    /// <summary>SimCSE (Gao et al. 2021): two dropout views of each sentence.</summary>
    SimCse,

    /// <summary>ESimCSE (Wu et al. 2022): the second view by word repetition, plus a momentum-encoder queue of negatives.</summary>
    ESimCse,

    /// <summary>
    /// DiffCSE (Chuang et al. 2022): SimCSE plus replaced-token detection — a frozen masked-language-model generator
    /// fills masked positions and a discriminator, given the sentence vector in place of [CLS], finds the replaced tokens.
    /// </summary>
    DiffCse,
}
