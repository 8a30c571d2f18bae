# Chung: lời chào, lỗi chung, định dạng.
greeting = Xin chào { $name }! Tôi là trợ lý dịch vụ công trực tuyến tỉnh Sơn La.
error-internal = Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.
error-portal-unreachable = Hiện không kết nối được Cổng dịch vụ công. Dữ liệu của bạn vẫn được giữ nguyên; vui lòng thử lại sau.
state-reset = Phiên trò chuyện trước không còn dùng được sau khi hệ thống được nâng cấp. Chúng ta bắt đầu lại từ menu chính.
dossier-count =
    { $count ->
        [0] Bạn chưa có hồ sơ nào.
       *[other] Bạn có { $count } hồ sơ.
    }

## Giá trị không hợp lệ (mã lỗi của src/domain).
invalid-full-name = Họ và tên chỉ gồm chữ cái (có dấu) và khoảng trắng, ít nhất 2 chữ cái, tối đa 100 ký tự.
invalid-cccd-format = Số CCCD phải gồm đúng 12 chữ số.
invalid-cccd-province = Ba số đầu của CCCD phải là mã tỉnh, thành phố hợp lệ (ví dụ 014 là Sơn La).
invalid-tax-code = Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số của chi nhánh.
invalid-birth-date-format = Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ 05/01/1990, và là ngày có thật.
invalid-birth-date-past = Ngày sinh phải là một ngày trong quá khứ, từ năm 1900.
invalid-birth-date-age = Người đăng ký phải đủ 14 tuổi trở lên.
invalid-phone = Số điện thoại phải là số di động Việt Nam gồm 10 chữ số, ví dụ 0912345678.
invalid-email = Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.vn.
invalid-password-length = Mật khẩu phải dài từ 8 đến 64 ký tự.
invalid-password-mix = Mật khẩu phải có ít nhất một chữ cái và một chữ số.
invalid-money = Số tiền chỉ gồm chữ số, ví dụ 150000 hoặc 150.000.
invalid-dossier-code = Mã hồ sơ có dạng 000.00.25.H50-261125-0001 (mã cơ quan, ngày tiếp nhận, số thứ tự).
invalid-organisation-name = Tên tổ chức gồm chữ cái, chữ số, khoảng trắng và các dấu . , &amp; ( ) - /, từ 2 đến 200 ký tự.
invalid-value = Cổng dịch vụ công không nhận giá trị này. Vui lòng nhập lại.
