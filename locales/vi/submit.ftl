# Dịch vụ công: danh mục thủ tục, thẻ thủ tục.
cmd-procedures = Dịch vụ công: tìm thủ tục
cmd-submit = Nộp hồ sơ theo mã thủ tục
cmd-mydossiers = Hồ sơ của tôi
cmd-drafts = Hồ sơ nháp
hint-procedures = Gõ vài từ để tìm thủ tục (ví dụ: khai sinh, ho tich), hoặc chọn lĩnh vực ở tin nhắn trên.
hint-submit = Vui lòng trả lời câu hỏi gần nhất, hoặc gõ /cancel để tạm dừng (hồ sơ nháp vẫn được giữ).
hint-submit-review = Bấm «Lưu nháp» hoặc «Gửi hồ sơ» ở tin nhắn trên, hoặc gõ /cancel để tạm dừng.
hint-paper = Vui lòng gửi giấy tờ dưới dạng tệp (PDF) hoặc ảnh chụp.
button-previous = ◀ Trước
button-next = Sau ▶
button-fields = ☰ Các lĩnh vực
button-submit = 📝 Nộp hồ sơ
button-back-results = ← Kết quả tìm kiếm
procedures-search-hint = Gõ vài từ để tìm thủ tục hành chính (có dấu hay không dấu đều được), hoặc chọn lĩnh vực bên dưới.
procedures-fields = <b>Dịch vụ công</b> — chọn lĩnh vực:
procedures-in-field = <b>{ $field }</b> — chọn thủ tục:
procedures-query-short = Vui lòng gõ ít nhất 2 ký tự để tìm.
procedures-none = Không tìm thấy thủ tục nào với «{ $query }». Hãy thử từ khác, hoặc chọn lĩnh vực.
procedures-found = Tìm thấy { $count } thủ tục với «{ $query }»:
level-full = Toàn trình
level-partial = Một phần
fee-free = Miễn phí
procedure-card =
    <b>{ $name }</b>
    Mã thủ tục: { $code }
    Lĩnh vực: { $field }
    Cơ quan tiếp nhận: { $agency }
    Mức độ trực tuyến: { $level }
    Thời hạn giải quyết: { $days } ngày làm việc
    Phí, lệ phí: { $fee }

    <b>Thành phần hồ sơ</b> (* là bắt buộc):
    { $papers }

    <b>Thông tin cần khai</b>:
    { $fields }

# Nộp hồ sơ.
submit-login-required = Để nộp hồ sơ, bạn cần đăng nhập tài khoản Cổng dịch vụ công. Sau khi đăng nhập, trợ lý sẽ đưa bạn trở lại thủ tục này.
submit-unknown-procedure = Không tìm thấy thủ tục có mã { $code }.
submit-draft-gone = Hồ sơ nháp này không còn (có thể đã được gửi). Vui lòng chọn lại từ menu.
submit-intro = <b>Nộp hồ sơ: { $procedure }</b>
    Trợ lý sẽ hỏi lần lượt từng thông tin, rồi đến các giấy tờ. Bạn có thể gõ /cancel để tạm dừng bất cứ lúc nào: hồ sơ nháp vẫn được giữ.
submit-resuming = Tiếp tục hồ sơ nháp: <b>{ $procedure }</b>
submit-ask-field =
    ({ $n }/{ $total }) <b>{ $label }</b>{ $required ->
        [yes] {""}
       *[no] {" "}(không bắt buộc)
    }
    { $kind ->
        [date] Nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2026.
        [number] Nhập một số, ví dụ 2.
        [choice] Chọn một nút bên dưới.
       *[text] Nhập câu trả lời.
    }
submit-field-required = Thông tin này là bắt buộc.
invalid-field-text = Câu trả lời phải có nội dung và không quá 500 ký tự.
invalid-field-date = Ngày phải theo dạng ngày/tháng/năm, ví dụ 05/01/2026, và là ngày có thật.
invalid-field-number = Vui lòng nhập một số nguyên không âm, ví dụ 2.
invalid-field-choice = Vui lòng chọn một trong các nút bên dưới câu hỏi.
submit-checklist =
    <b>Thành phần hồ sơ</b> (* là bắt buộc)
    { $papers }
submit-ask-paper =
    Gửi <b>{ $paper }</b>{ $required ->
        [yes] {""}
       *[no] {" "}(không bắt buộc)
    } dưới dạng tệp hoặc ảnh chụp.
    Định dạng nhận: { $types }; tối đa { $max_mb } MB.
submit-paper-required = Giấy tờ này là bắt buộc, không thể bỏ qua.
paper-too-big-telegram = Tệp lớn hơn { $max_mb } MB nên trợ lý không tải được qua Telegram. Vui lòng gửi bản nhỏ hơn (ví dụ chụp ảnh hoặc nén PDF).
paper-too-big = Tệp quá lớn: giấy tờ này nhận tối đa { $max_mb } MB. Vui lòng gửi bản nhỏ hơn.
paper-download-failed = Trợ lý chưa tải được tệp từ Telegram. Vui lòng gửi lại.
paper-wrong-type = Tệp gửi cho «{ $paper }» không đúng định dạng (trợ lý kiểm tra nội dung tệp, không chỉ tên tệp). Định dạng nhận: { $types }.
paper-refused = Cổng dịch vụ công không nhận tệp này. Vui lòng kiểm tra lại tệp (đúng giấy tờ, đọc được) rồi gửi lại.
paper-received = Đã nhận «{ $paper }».
submit-ask-delivery = Bạn muốn nhận kết quả bằng cách nào?
delivery-online = 📱 Trực tuyến (gửi trong trò chuyện này)
delivery-post = 📮 Qua bưu chính công ích
submit-ask-post-address = Nhập địa chỉ nhận kết quả qua bưu điện (số nhà, bản/tổ, xã/phường, tỉnh):
submit-review =
    <b>Kiểm tra hồ sơ: { $procedure }</b>

    <b>Thông tin đã khai</b>
    { $values }

    <b>Giấy tờ</b>
    { $papers }

    <b>Nhận kết quả</b>: { $delivery ->
        [post] qua bưu chính công ích, tới { $address }
       *[online] trực tuyến
    }
button-save-draft = 💾 Lưu nháp
button-send = 📤 Gửi hồ sơ
draft-saved = Đã lưu hồ sơ nháp trên Cổng dịch vụ công. Bạn có thể gửi ngay hoặc quay lại sau trong «Hồ sơ nháp».
draft-kept-offline = Hiện không kết nối được Cổng dịch vụ công. Hồ sơ nháp vẫn được giữ trong trò chuyện này, không mất gì; vui lòng thử lại sau.
submit-portal-down = Hiện không kết nối được Cổng dịch vụ công nên hồ sơ chưa được gửi. Hồ sơ nháp vẫn được giữ nguyên; bấm «Gửi hồ sơ» lại sau ít phút.
submit-session-expired = Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại; hồ sơ nháp vẫn được giữ và trợ lý sẽ đưa bạn trở lại.
submit-missing =
    Hồ sơ còn thiếu:
    { $items }
submit-done =
    ✅ <b>Đã gửi hồ sơ</b>
    Mã hồ sơ: <code>{ $code }</code>
    Thủ tục: { $procedure }
    Ngày hẹn trả kết quả: { $due }
    Theo dõi hồ sơ trong «Hồ sơ của tôi», hoặc gõ /status { $code }. Trợ lý sẽ báo khi hồ sơ có thay đổi.
drafts-none = Bạn không có hồ sơ nháp nào.
drafts-list = Hồ sơ nháp ({ $count }) — chọn để tiếp tục:

# Hồ sơ của tôi.
mydossiers-login = Để xem hồ sơ của bạn, vui lòng đăng nhập.
mydossiers-title = <b>Hồ sơ của tôi</b>
mydossiers-group = <b>{ $status }</b> ({ $count })
mydossiers-none = Bạn chưa gửi hồ sơ nào.
button-drafts = Hồ sơ nháp ({ $count })
submit-current-value = Đang khai: { $value }
submit-prefilled-value = Theo tài khoản của bạn: { $value }
    Bấm «{ button-keep }» để dùng, hoặc gõ giá trị khác.
button-keep = Giữ nguyên
button-skip-optional = Bỏ qua cả { $count } giấy tờ không bắt buộc
button-edit-draft = ✏️ Sửa thông tin
button-discard-draft = 🗑 Xoá nháp
draft-discarded = Đã xoá hồ sơ nháp khỏi trò chuyện.{ $saved ->
        [yes] {" "}Bản đã lưu trên Cổng dịch vụ công vẫn còn trong «Hồ sơ nháp».
       *[no] {""}
    }
submit-already-sent = Hồ sơ này đã được gửi, mã hồ sơ { $code }.
submit-choice-echo = ✔️ { $label }: <b>{ $value }</b>
