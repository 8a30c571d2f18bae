# Hồ sơ của tôi, thẻ hồ sơ, bổ sung, phí và mã QR, kết quả, rút hồ sơ.
mydossiers-groups = <b>Hồ sơ của tôi</b>: { $count } hồ sơ đã gửi. Chọn một nhóm để xem danh sách.
mydossiers-group-button = { $status } ({ $count })
mydossiers-group-title = <b>{ $status }</b>: { $count } hồ sơ (trang { $page }/{ $pages })
button-my-dossiers = ◀ Hồ sơ của tôi
button-back-group = ◀ { $status }

dossier-card =
    <b>{ $procedure }</b>
    Mã hồ sơ: <code>{ $code }</code>
    Cơ quan giải quyết: { $agency }
    Ngày tiếp nhận: { $received }
    Ngày hẹn trả: { $due }{ $overdue ->
        [yes] {" "}⚠️ <b>quá hạn</b>
       *[no] {""}
    }
    Trạng thái: <b>{ $status }</b>
dossier-card-reason = Lý do: { $reason }
dossier-card-papers = Giấy tờ cần bổ sung:
    { $papers }
dossier-card-amount = Số tiền: <b>{ $amount }</b>
dossier-card-deadline = Hạn: { $deadline }
dossier-card-history =
    <b>Quá trình xử lý</b>
    { $lines }
button-dossier-supplement = 📎 Bổ sung hồ sơ
button-dossier-fees = 💳 Xem phí và mã QR
button-dossier-result = 📄 Nhận kết quả
button-dossier-withdraw = ↩️ Rút hồ sơ
dossier-not-yours = Không tìm thấy hồ sơ này trong tài khoản của bạn.
dossier-action-refused = Cổng dịch vụ công không thực hiện được thao tác này với hồ sơ ở trạng thái hiện tại.
error-portal-slow = Cổng dịch vụ công đang phản hồi chậm. Dữ liệu của bạn vẫn được giữ nguyên; vui lòng thử lại sau ít phút.

supplement-checklist =
    <b>Bổ sung hồ sơ { $code }</b>
    Lý do: { $reason }
    Hạn bổ sung: { $deadline }

    { $papers }
supplement-ask-paper = Vui lòng gửi <b>{ $paper }</b> dưới dạng tệp hoặc ảnh ({ $types }, tối đa { $max_mb } MB).
supplement-ready = Đã nhận đủ giấy tờ cần bổ sung. Nhấn «Gửi bổ sung» để gửi đến cơ quan giải quyết.
button-send-supplement = 📤 Gửi bổ sung
supplement-sent = ✅ Đã gửi bổ sung cho hồ sơ { $code }. Trạng thái hiện tại: { $status }.
supplement-not-pending = Hồ sơ { $code } hiện không có yêu cầu bổ sung nào.
supplement-incomplete = Vẫn còn giấy tờ chưa gửi.
supplement-refused = Cổng dịch vụ công chưa nhận phần bổ sung này. Vui lòng kiểm tra giấy tờ và thử lại.
hint-supplement = Vui lòng gửi giấy tờ đang được yêu cầu (tệp hoặc ảnh), hoặc nhấn «Gửi bổ sung» khi đã đủ.

fee-details =
    <b>{ $purpose }</b>
    Mã hồ sơ: { $code }
    Số tiền: <b>{ $amount }</b>
    Hạn nộp: { $deadline }
    Nội dung chuyển khoản: <code>{ $reference }</code>
fee-qr-caption = Quét mã bằng ứng dụng ngân hàng để chuyển khoản vào tài khoản { $bank_account } ({ $bank_name }).
fee-qr-sample = ⚠️ Tài khoản mẫu của chế độ thử nghiệm: không chuyển tiền thật.
fee-no-qr = Vui lòng nộp tại cơ quan giải quyết hoặc chuyển khoản với nội dung trên.
fee-not-pending = Hồ sơ { $code } hiện không có khoản phí nào chờ nộp.

result-caption = 📄 Kết quả giải quyết hồ sơ { $code }.
result-by-post = Kết quả của hồ sơ { $code } đang được gửi qua bưu chính đến: { $address }.
result-not-ready = Hồ sơ { $code } chưa có kết quả.

withdraw-confirm = Bạn có chắc muốn rút hồ sơ <b>{ $code }</b>? Hồ sơ đã rút sẽ không được xử lý tiếp.
button-withdraw-yes = ✅ Rút hồ sơ
button-withdraw-no = ✖️ Không rút
withdraw-done = Đã rút hồ sơ { $code }.
withdraw-not-allowed = Hồ sơ { $code } không thể rút ở trạng thái hiện tại (chỉ rút được trước khi được tiếp nhận).
