using Research.Lib.Text;

namespace Research.Lib.Tests.Text;

public class ChineseWordSegmenterTests
{
    [Fact]
    public void KeepsTheMultiCharacterChineseWordsInOrder()
    {
        Assert.Equal(["北京", "天安门"], ChineseWordSegmenter.Words("我爱北京天安门"));
        Assert.Equal(["甘草", "剂量", "多少"], ChineseWordSegmenter.Words("甘草的常用剂量是多少")); // SmartCn leaves 常用 as two characters
    }

    [Fact]
    public void TextWithoutChineseHasNoWords()
    {
        Assert.Empty(ChineseWordSegmenter.Words("What does git rebase do?"));
        Assert.Empty(ChineseWordSegmenter.Words(""));
    }
}
