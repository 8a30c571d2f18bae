# Đánh giá sau khi có kết quả và hỏi cán bộ.
hint-rate-comment = Vui lòng gõ góp ý của bạn, hoặc bấm "Không góp ý".
hint-ask = Vui lòng gõ câu hỏi của bạn, hoặc gõ /cancel để thoát.
